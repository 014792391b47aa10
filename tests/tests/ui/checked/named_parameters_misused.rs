fn main() {
    // A name the statement does not have.
    let _ = andamios::query!("SELECT name FROM users WHERE id = $id", user = 1i64);
    // Some values named, some not.
    let _ = andamios::query!("SELECT name FROM users WHERE id = $id AND name = $name", id = 1i64, "ana");
    // A parameter without its value.
    let _ = andamios::query!("SELECT name FROM users WHERE id = $id AND name = $name", id = 1i64);
    // The same name twice.
    let _ = andamios::query!("SELECT name FROM users WHERE id = $id", id = 1i64, id = 2i64);
    let _ = andamios::query!("SELECT name FROM users WHERE id = $userId", userId = 1i64, userid = 2i64);
    // Names for numbered parameters.
    let _ = andamios::query!("SELECT name FROM users WHERE id = $1", id = 1i64);
    // No variable of that name to capture.
    let _ = andamios::query!("SELECT name FROM users WHERE id = $missing_variable");
    // A captured variable of the wrong type.
    let name = 5i64;
    let _ = andamios::query!("SELECT id FROM users WHERE name = $name");
}
