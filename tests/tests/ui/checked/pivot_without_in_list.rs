fn main() {
    // The columns are named after the names in the table when it runs.
    let _ = andamios::query!("PIVOT users ON name USING count(*)");
    // The same inside another statement.
    let _ = andamios::query!("CREATE TABLE counts AS SELECT * FROM (PIVOT users ON name USING count(*))");
}
