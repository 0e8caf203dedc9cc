//! examples/rust/ivr_menu.rs served over HTTP and walked branch by branch in the sandbox.

#[path = "../../examples/rust/ivr_menu.rs"]
mod example;

#[test]
fn every_branch_of_the_example_menu() {
    example::walk_every_branch().unwrap();
}
