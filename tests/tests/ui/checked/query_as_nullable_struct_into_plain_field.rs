#[derive(andamios::Type)]
struct Post {
    id: i64,
    title: String,
}

struct UserPosts {
    name: String,
    // A user without posts has none to list: the column is NULL for them.
    posts: Vec<Post>,
}

fn main() {
    let _ = andamios::query_as!(
        UserPosts,
        "SELECT u.name, list({'id': p.id, 'title': p.title}) FILTER (WHERE p.id IS NOT NULL) AS posts
         FROM users u LEFT JOIN posts p ON p.user_id = u.id GROUP BY u.name"
    );
}
