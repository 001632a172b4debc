//! Logging: tracing to stderr through a writer that removes the token from
//! every line, whatever `RUST_LOG` lets through (teloxide puts the token in
//! every request URL).

use std::io::Write;
use std::sync::Arc;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Strings that must never reach a log (the token): every text bound for
/// one goes through [`Secrets::redact`].
#[derive(Clone, Default)]
pub struct Secrets(Arc<Vec<String>>);

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secrets({})", self.0.len())
    }
}

impl Secrets {
    /// Keeps these strings out of logs (empty ones are ignored).
    pub fn new(secrets: Vec<String>) -> Secrets {
        Secrets(Arc::new(
            secrets.into_iter().filter(|s| !s.is_empty()).collect(),
        ))
    }

    /// `s` with every secret replaced by `***`.
    pub fn redact(&self, s: &str) -> String {
        self.0
            .iter()
            .fold(s.to_owned(), |acc, x| acc.replace(x.as_str(), "***"))
    }
}

/// Makes one redacting writer per log line.
#[derive(Clone, Debug)]
pub struct Redacting {
    secrets: Secrets,
}

impl Redacting {
    /// Redacts these strings.
    pub fn new(secrets: Vec<String>) -> Redacting {
        Redacting {
            secrets: Secrets::new(secrets),
        }
    }
}

/// Buffers one log line and writes it, redacted, when dropped.
pub struct RedactingLine {
    buf: Vec<u8>,
    secrets: Secrets,
}

impl Write for RedactingLine {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for RedactingLine {
    fn drop(&mut self) {
        let line = self.secrets.redact(&String::from_utf8_lossy(&self.buf));
        let _ = std::io::stderr().write_all(line.as_bytes());
    }
}

impl<'a> MakeWriter<'a> for Redacting {
    type Writer = RedactingLine;
    fn make_writer(&'a self) -> RedactingLine {
        RedactingLine {
            buf: Vec::new(),
            secrets: self.secrets.clone(),
        }
    }
}

/// Installs the global subscriber (`RUST_LOG`, default `info`).
pub fn init(secrets: Vec<String>) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Redacting::new(secrets))
        .with_target(false)
        .try_init();
}
