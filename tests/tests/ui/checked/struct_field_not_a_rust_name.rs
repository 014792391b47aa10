fn main() {
    // The macro defines a struct for a STRUCT column, a field per STRUCT
    // field: `my field` can be none.
    let _ = andamios::query!("SELECT {'my field': 1, 'ok': 2} AS s");
}
