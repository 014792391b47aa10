fn main() {
    let _ = andamios::query!("SELECT 1 AS not_prepared");
}
