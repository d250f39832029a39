fn main() {
    hearth_frontend::start();
}
