//! Values given by name for a statement's named parameters (`$id`), put
//! in the order DuckDB binds them: one rule for the checked macros'
//! `id = value` arguments and the runtime's `bind_named`.

/// What is wrong with values given by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NamedValueError {
    /// The value at this position (in the order given) names no parameter.
    Unknown(usize),
    /// The value at this position names a parameter, shown as DuckDB
    /// spells it, that an earlier value named already.
    Twice(usize, String),
    /// No value names this parameter.
    Missing(String),
}

/// The values of `named`, given as `(name, value)`, in the order of the
/// statement's parameters `param_names` (as DuckDB reports them: `id` for
/// `$id`). Names match as DuckDB's do, ignoring ASCII case, with or
/// without the `$`.
pub fn order_by_name<'n, T>(
    param_names: &[String],
    named: impl IntoIterator<Item = (&'n str, T)>,
) -> Result<Vec<T>, NamedValueError> {
    let mut ordered: Vec<Option<T>> = param_names.iter().map(|_| None).collect();
    for (given, (name, value)) in named.into_iter().enumerate() {
        let name = name.strip_prefix('$').unwrap_or(name);
        let position =
            param_names.iter().position(|p| p.eq_ignore_ascii_case(name)).ok_or(NamedValueError::Unknown(given))?;
        if ordered[position].replace(value).is_some() {
            return Err(NamedValueError::Twice(given, param_names[position].clone()));
        }
    }
    ordered
        .into_iter()
        .zip(param_names)
        .map(|(value, name)| value.ok_or_else(|| NamedValueError::Missing(name.clone())))
        .collect()
}

/// `$a, $b`: the parameters of `param_names`, for messages.
pub fn listed(param_names: &[String]) -> String {
    param_names.iter().map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_name_ignoring_case_and_dollar_and_says_what_is_wrong() {
        let params = ["hi".to_owned(), "lo".to_owned()];
        assert_eq!(order_by_name(&params, [("LO", 3), ("$hi", 10)]), Ok(vec![10, 3]));
        assert_eq!(order_by_name(&params, [("hi", 1), ("mid", 2)]), Err(NamedValueError::Unknown(1)));
        assert_eq!(order_by_name(&params, [("hi", 1), ("HI", 2)]), Err(NamedValueError::Twice(1, "hi".into())));
        assert_eq!(order_by_name(&params, [("hi", 1)]), Err(NamedValueError::Missing("lo".into())));
        assert_eq!(listed(&params), "$hi, $lo");
    }
}
