fn main() {
    let _ = andamios::query!("SELECT $1 AS anything", 1i32);
}
