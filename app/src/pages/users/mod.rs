pub mod applications;
pub mod create_form;
pub mod detail;
pub mod inventory;
pub mod list;
