struct User {
    id: i64,
    name: String,
}

fn main() {
    let _ = andamios::query_as!(User, "SELECT id, name, email FROM users");
}
