//! The daily backup into `THIDUA_BACKUP_DIR`: a job of the minute ticker,
//! which checks whether the day's copy is due in the operator's time zone.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::MutexGuard;
use tokio_cron_scheduler::{Job, JobScheduler};

use crate::clock::Clock;
use crate::storage::Db;

/// The daily backup of one database into one folder.
pub struct DailyBackup {
    db: Db,
    clock: Arc<dyn Clock>,
    dir: PathBuf,
    tz: chrono_tz::Tz,
    /// Held while a backup runs, and from shutdown on.
    busy: tokio::sync::Mutex<()>,
    /// The local day a failure was last logged: once a day, not every minute.
    failed_on: std::sync::Mutex<Option<chrono::NaiveDate>>,
}

impl std::fmt::Debug for DailyBackup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DailyBackup")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl DailyBackup {
    /// Backs `db` up into `dir` once a day, at the time of day `tz` names.
    pub fn new(db: Db, clock: Arc<dyn Clock>, dir: PathBuf, tz: chrono_tz::Tz) -> DailyBackup {
        DailyBackup {
            db,
            clock,
            dir,
            tz,
            busy: tokio::sync::Mutex::new(()),
            failed_on: std::sync::Mutex::new(None),
        }
    }

    async fn run_if_due(&self) {
        let Ok(_running) = self.busy.try_lock() else {
            return;
        };
        let now = self.clock.now().with_timezone(&self.tz).naive_local();
        match crate::ops::daily_backup(&self.db, &self.dir, now).await {
            Ok(Some(file)) => tracing::info!(file = %file.display(), "daily backup written"),
            Ok(None) => {}
            Err(e) => {
                let mut failed_on = self.failed_on.lock().unwrap_or_else(|p| p.into_inner());
                if *failed_on != Some(now.date()) {
                    *failed_on = Some(now.date());
                    tracing::error!(error = %e, "daily backup failed; retrying every minute");
                } else {
                    tracing::debug!(error = %e, "daily backup failed again");
                }
            }
        }
    }

    /// Checks every minute whether the day's backup is due (the ticker's
    /// time zone offset is fixed when a job is created, so the local time is
    /// computed at each tick instead), and once now to catch up after
    /// downtime.
    pub async fn schedule(self: Arc<Self>, jobs: &JobScheduler) -> anyhow::Result<()> {
        let b = self.clone();
        jobs.add(Job::new_async("0 * * * * *", move |_, _| {
            let b = b.clone();
            Box::pin(async move { b.run_if_due().await })
        })?)
        .await?;
        tokio::spawn(async move { self.run_if_due().await });
        Ok(())
    }

    /// Waits up to `grace` for a running backup; the guard returned keeps
    /// any later run from starting (held until the process ends).
    pub async fn finished(&self, grace: Duration) -> Option<MutexGuard<'_, ()>> {
        tokio::time::timeout(grace, self.busy.lock()).await.ok()
    }
}
