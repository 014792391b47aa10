fn main() {
    // `$1 + 1` leaves DuckDB unsure of the result until the statement runs.
    let _ = andamios::query_scalar!("SELECT name FROM users WHERE id = $1 OR id = $1 + 1", 1i64);
    // The file a table function reads decides the columns.
    let path = "data.csv";
    let _ = andamios::query!("SELECT * FROM read_csv($1::VARCHAR)", path);
    // So does `$1 IS NULL`, after DuckDB has learnt the parameter's type.
    let _ = andamios::query!("SELECT id FROM users WHERE name = $1 OR $1 IS NULL", None);
}
