struct Author {
    name: String,
    title: String,
}

fn main() {
    // A LEFT JOIN can leave `title` NULL: the field must be an Option.
    let _ = andamios::query_as!(Author, "SELECT u.name, p.title FROM users u LEFT JOIN posts p ON p.user_id = u.id");
}
