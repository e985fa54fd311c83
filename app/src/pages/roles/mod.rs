pub mod global_editor;
pub mod list;
