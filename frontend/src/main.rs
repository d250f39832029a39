//! The patients' page, `index.html`: the visit screens only.
fn main() {
    hearth_frontend::start_patient_page();
}
