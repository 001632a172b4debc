//! A real headless Chromium driven over the DevTools protocol on a pipe
//! (`--remote-debugging-pipe`: commands on the child's fd 3, answers on its
//! fd 4, each a JSON message ended by a NUL byte), so that a test can load
//! a page, wait for what it draws, tap an element and take screenshots.

use base64::Engine;
use serde_json::{Value, json};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// How long a page may take to show what a test waits for.
const PATIENCE: Duration = Duration::from_secs(20);

pub struct Browser {
    child: tokio::process::Child,
    _profile: tempfile::TempDir,
    to: tokio::fs::File,
    from: BufReader<tokio::fs::File>,
    next: u64,
}

/// A tab: its DevTools session.
pub struct Tab(String);

fn pipe() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    // SAFETY: `fds` is two ints for pipe(2) to fill; both ends are owned below.
    let rc = unsafe { libc::pipe(fds.as_mut_ptr()) };
    assert_eq!(rc, 0, "pipe: {}", std::io::Error::last_os_error());
    // SAFETY: pipe(2) returned two fresh descriptors that nothing else owns.
    unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
}

impl Browser {
    /// Starts `chromium` headless, as a 360 × 780 phone screen.
    pub async fn launch(chromium: &Path) -> Browser {
        use std::os::fd::AsRawFd;
        let (cmd_read, cmd_write) = pipe();
        let (out_read, out_write) = pipe();
        let (child_in, child_out) = (cmd_read.as_raw_fd(), out_write.as_raw_fd());
        let profile = tempfile::tempdir().expect("profile dir");
        let mut c = std::process::Command::new(chromium);
        c.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--no-first-run",
            "--window-size=360,780",
            "--remote-debugging-pipe",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("about:blank")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
        // SAFETY: only dup2(2), async-signal-safe, between fork and exec.
        unsafe {
            c.pre_exec(move || {
                if libc::dup2(child_in, 3) < 0 || libc::dup2(child_out, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut c = tokio::process::Command::from(c);
        c.kill_on_drop(true);
        let child = c.spawn().expect("start chromium");
        drop((cmd_read, out_write));
        Browser {
            child,
            _profile: profile,
            to: tokio::fs::File::from_std(std::fs::File::from(cmd_write)),
            from: BufReader::new(tokio::fs::File::from_std(std::fs::File::from(out_read))),
            next: 0,
        }
    }

    /// Sends a command (to a tab's session when given) and returns its result.
    async fn call(&mut self, tab: Option<&Tab>, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(t) = tab {
            msg["sessionId"] = json!(t.0);
        }
        let mut bytes = msg.to_string().into_bytes();
        bytes.push(0);
        self.to.write_all(&bytes).await.expect("write to chromium");
        self.to.flush().await.expect("flush");
        let deadline = Instant::now() + PATIENCE;
        loop {
            let mut buf = Vec::new();
            let read = tokio::time::timeout_at(deadline.into(), self.from.read_until(0, &mut buf))
                .await
                .unwrap_or_else(|_| panic!("chromium did not answer {method}"))
                .expect("read from chromium");
            assert!(read > 0, "chromium closed its pipe during {method}");
            buf.pop();
            let answer: Value = serde_json::from_slice(&buf).expect("DevTools JSON");
            // Events and other answers are skipped.
            if answer["id"] == id {
                assert!(answer.get("error").is_none(), "{method}: {answer}");
                return answer["result"].clone();
            }
        }
    }

    /// Opens `url` in a new tab sized as a 360 × 780 phone.
    pub async fn open(&mut self, url: &str) -> Tab {
        let target = self
            .call(None, "Target.createTarget", json!({"url": "about:blank"}))
            .await;
        let session = self
            .call(
                None,
                "Target.attachToTarget",
                json!({"targetId": target["targetId"], "flatten": true}),
            )
            .await;
        let tab = Tab(session["sessionId"].as_str().expect("session").to_owned());
        self.call(
            Some(&tab),
            "Emulation.setDeviceMetricsOverride",
            json!({"width": 360, "height": 780, "deviceScaleFactor": 1, "mobile": true}),
        )
        .await;
        self.call(Some(&tab), "Page.navigate", json!({"url": url}))
            .await;
        tab
    }

    /// The value of a JavaScript expression in the tab.
    pub async fn eval(&mut self, tab: &Tab, expr: &str) -> Value {
        let r = self
            .call(
                Some(tab),
                "Runtime.evaluate",
                json!({"expression": expr, "returnByValue": true, "awaitPromise": true}),
            )
            .await;
        r["result"]["value"].clone()
    }

    /// Waits until `expr` is true in the tab (checked every 50 ms, bounded).
    pub async fn wait_for(&mut self, tab: &Tab, expr: &str) {
        let deadline = Instant::now() + PATIENCE;
        while self.eval(tab, &format!("Boolean({expr})")).await != json!(true) {
            let body = self.eval(tab, "document.body.innerText").await;
            assert!(
                Instant::now() < deadline,
                "never true: {expr}; page: {body}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Taps the element `selector` finds, as a finger would (a click).
    pub async fn tap(&mut self, tab: &Tab, selector: &str) {
        let expr = format!(
            "(() => {{ const e = document.querySelector({s}); if (!e) return false; e.click(); return true; }})()",
            s = json!(selector)
        );
        assert_eq!(
            self.eval(tab, &expr).await,
            json!(true),
            "nothing to tap at {selector}"
        );
    }

    /// Saves what the tab shows as a PNG.
    pub async fn screenshot(&mut self, tab: &Tab, file: &Path) {
        let shot = self
            .call(
                Some(tab),
                "Page.captureScreenshot",
                json!({"format": "png"}),
            )
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("data"))
            .expect("base64");
        std::fs::write(file, png).expect("write screenshot");
    }

    /// Asks Chromium to quit, and waits for it (bounded; killed on drop).
    pub async fn close(mut self) {
        let _ = self
            .to
            .write_all(b"{\"id\":0,\"method\":\"Browser.close\"}\0")
            .await;
        let _ = self.to.flush().await;
        let _ = tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await;
    }
}
