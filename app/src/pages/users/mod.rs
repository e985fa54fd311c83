pub mod create_form;
pub mod detail;
pub mod list;
