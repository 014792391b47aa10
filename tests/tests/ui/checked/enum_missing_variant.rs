#[derive(andamios::Type)]
#[andamios(rename_all = "lowercase")]
enum Mood {
    Happy,
    Sad,
}

fn main() {
    let _ = andamios::query!(r#"SELECT mood AS "mood: Mood" FROM users"#);
    let _ = andamios::query_scalar!(r#"SELECT [mood] AS "moods: Vec<Mood>" FROM users"#);
}
