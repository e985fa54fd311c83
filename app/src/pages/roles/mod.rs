pub mod global_editor;
pub mod inventory_editor;
pub mod list;
mod requires;
