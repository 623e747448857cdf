//! The in-memory area map every request reads, swapped whole when the areas
//! change: lookups never wait for a rebuild, they see the old map until the
//! new one is ready.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use arc_swap::ArcSwap;
use gridops_domain::area::AreaMap;
use gridops_infra::repo::areas;
use gridops_infra::{Db, DbError};

#[derive(Debug)]
pub struct AreaDirectory {
    map: ArcSwap<AreaMap>,
    revision: AtomicI64,
}

impl AreaDirectory {
    /// Loads the areas once, synchronously (start-up).
    pub fn load(db: &Db) -> Result<AreaDirectory, DbError> {
        let (revision, map) =
            db.read_blocking(|conn| Ok((areas::revision(conn)?, areas::load_all(conn)?)))?;
        Ok(AreaDirectory {
            map: ArcSwap::from_pointee(AreaMap::new(map)),
            revision: AtomicI64::new(revision),
        })
    }

    pub fn current(&self) -> Arc<AreaMap> {
        self.map.load_full()
    }

    /// Rebuilds the map if the stored revision moved on; returns whether it did.
    pub async fn refresh(&self, db: &Db) -> Result<bool, DbError> {
        let stored = db.run(areas::revision).await?;
        if stored == self.revision.load(Ordering::Acquire) {
            return Ok(false);
        }
        let (revision, list) = db
            .run(|conn| Ok((areas::revision(conn)?, areas::load_all(conn)?)))
            .await?;
        // Building the R-tree is CPU work: keep it off the async workers.
        let map = tokio::task::spawn_blocking(move || AreaMap::new(list))
            .await
            .map_err(|e| DbError::Other(e.to_string()))?;
        tracing::info!(
            revision,
            areas = map.len(),
            grids = map.grid_count(),
            "area map rebuilt"
        );
        self.map.store(Arc::new(map));
        self.revision.store(revision, Ordering::Release);
        Ok(true)
    }

    /// Polls for changes made by other processes (a CLI import, another node).
    pub fn watch(self: Arc<Self>, db: Db, every: Duration) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(every);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                if let Err(e) = self.refresh(&db).await {
                    tracing::warn!(error = %e, "could not refresh the area map");
                }
            }
        })
    }
}
