// Written by `andamios migrate build-script`.
fn main() {
    // Rebuild when a migration is added, changed or removed: `migrate!()` and
    // the checked macros read the folder while the crate compiles.
    println!("cargo:rerun-if-changed=migrations");
}
