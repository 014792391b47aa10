/// An email address: a newtype over a String binds as a VARCHAR only.
#[derive(andamios::Type)]
struct Email(String);

fn main() {
    let email = Email("ana@example.com".to_owned());
    let _ = andamios::query!("SELECT name FROM users WHERE id = $1", email);
}
