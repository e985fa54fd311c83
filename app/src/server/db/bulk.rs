//! Many rows in few statements: the scale seed writes hundreds of thousands of rows, which one
//! statement per row would take minutes to do.

use sqlx::AnyConnection;

use crate::model::{AppResult, TenantId};

/// One value of a bulk row.
#[derive(Debug, Clone)]
pub enum Value {
    Int(i64),
    Text(String),
    Null,
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}

/// At most this many placeholders per statement: under SQLite's 32,766 and PostgreSQL's 65,535.
const MAX_BINDS: usize = 8_000;

/// Inserts `rows` into `table` (names from code, never from input), a chunk of rows per
/// statement. Returns the number of rows written.
pub async fn insert(
    conn: &mut AnyConnection,
    table: &'static str,
    columns: &[&'static str],
    rows: &[Vec<Value>],
) -> AppResult<u64> {
    let per_statement = (MAX_BINDS / columns.len().max(1)).max(1);
    let mut written = 0;
    for chunk in rows.chunks(per_statement) {
        let sql = statement(table, columns, chunk.len());
        let mut query = sqlx::query(&sql);
        for row in chunk {
            debug_assert_eq!(row.len(), columns.len());
            for value in row {
                query = match value {
                    Value::Int(v) => query.bind(*v),
                    Value::Text(v) => query.bind(v.as_str()),
                    Value::Null => query.bind(None::<i64>),
                };
            }
        }
        written += query.execute(&mut *conn).await?.rows_affected();
    }
    Ok(written)
}

/// The id of each row of `table` in `tenant`, by the text in `key` (names from code).
pub async fn ids_by(
    conn: &mut AnyConnection,
    table: &'static str,
    key: &'static str,
    tenant: TenantId,
) -> AppResult<std::collections::HashMap<String, i64>> {
    let sql = format!("SELECT {key}, id FROM {table} WHERE tenant_id = $1");
    let rows: Vec<(String, i64)> = sqlx::query_as(&sql).bind(tenant).fetch_all(conn).await?;
    Ok(rows.into_iter().collect())
}

fn statement(table: &str, columns: &[&str], rows: usize) -> String {
    let width = columns.len();
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..width {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&(r * width + c + 1).to_string());
        }
        sql.push(')');
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::statement;

    #[test]
    fn placeholders_number_every_value_of_every_row() {
        assert_eq!(
            statement("t", &["a", "b"], 2),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
    }
}
