struct User {
    id: i32,
    name: String,
}

fn main() {
    let _ = andamios::query_as!(User, "SELECT id, name FROM users");
}
