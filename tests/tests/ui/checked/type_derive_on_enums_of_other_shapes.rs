// An enum is a DuckDB ENUM (no variant holds a value) or a UNION (each holds one).
#[derive(andamios::Type)]
enum Mixed {
    Nothing,
    Number(i32),
}

#[derive(andamios::Type)]
enum Pair {
    Both(i32, String),
}

fn main() {}
