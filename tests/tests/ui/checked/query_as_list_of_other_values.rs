struct Post {
    ids: Vec<String>,
    tags: Option<Vec<String>>,
}

fn main() {
    let _ = andamios::query_as!(Post, "SELECT [id] AS ids, tags FROM posts");
}
