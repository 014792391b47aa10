use andamios_core::ffi::{Database, OpenOptions};
fn main() {
    let db = Database::open(":memory:", &OpenOptions::default()).unwrap();
    let conn = db.connect().unwrap();
    conn.execute_batch("CREATE TABLE users (id BIGINT NOT NULL, country VARCHAR)").unwrap();
    for sql in [
        "SELECT id FROM users WHERE country = $1 OR $1 IS NULL",
        "SELECT id, country FROM users WHERE ($1 IS NULL OR country = $1)",
    ] {
        match andamios_core::describe::describe(&conn, sql) {
            Ok(d) => println!("{sql}\n  {:?}", d),
            Err(e) => println!("{sql}\n  err {e}"),
        }
        let q = format!("SELECT json_serialize_plan('{}')", sql.replace('\'', "''"));
        let mut stmt = conn.prepare(&q).unwrap();
        let mut r = stmt.execute(false).unwrap();
        let chunk = r.next_chunk().unwrap().unwrap();
        let ty = andamios_core::DuckType::Varchar;
        let col = chunk.column(0, &ty).unwrap();
        let text = String::from_utf8_lossy(col.bytes(0).unwrap()).to_string();
        println!("  plan: {}", &text[..text.len().min(300)]);
    }
}
