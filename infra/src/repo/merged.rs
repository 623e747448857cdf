//! The first rows of several sorted reads, merged by the database in one
//! statement: `SELECT * FROM (part) UNION SELECT * FROM (part) …` sorted and
//! cut again. Each part keeps its own `ORDER BY … LIMIT`, so each is one
//! ordered index range; the union drops a row two parts found. Diesel's own
//! `union` does not reach the multi-backend connection, hence this small
//! fragment (the same SQL on PostgreSQL and SQLite).

use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::BigInt;
use diesel::{QueryResult, RunQueryDsl};

use crate::db::MultiBackend;

/// `parts` merged, sorted by `order` (column names of their select
/// clause, e.g. `created_at DESC, id DESC`) and cut to `limit`.
pub struct Merged<Q> {
    pub parts: Vec<Q>,
    pub order: &'static str,
    pub limit: i64,
}

impl<Q: Query> Query for Merged<Q> {
    type SqlType = Q::SqlType;
}

impl<Q> QueryId for Merged<Q> {
    type QueryId = ();
    // The SQL depends on the number of parts: cached by its text.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q> RunQueryDsl<crate::db::DbConnection> for Merged<Q> {}

impl<Q: QueryFragment<MultiBackend>> QueryFragment<MultiBackend> for Merged<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        out.push_sql("SELECT * FROM (");
        for (i, part) in self.parts.iter().enumerate() {
            if i > 0 {
                out.push_sql(" UNION ");
            }
            // A subquery in FROM: the only place SQLite takes a part's own
            // ORDER BY and LIMIT; PostgreSQL 15 wants it named.
            out.push_sql("SELECT * FROM (");
            part.walk_ast(out.reborrow())?;
            out.push_sql(") AS part");
        }
        out.push_sql(") AS merged ORDER BY ");
        out.push_sql(self.order);
        out.push_sql(" LIMIT ");
        out.push_bind_param::<BigInt, i64>(&self.limit)?;
        Ok(())
    }
}
