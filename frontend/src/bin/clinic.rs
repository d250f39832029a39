//! The clinician's page, `clinic.html`: the dashboard and every other screen.
fn main() {
    hearth_frontend::start_clinic_page();
}
