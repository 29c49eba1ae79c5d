//! Log lines on standard error: text (colours only on a terminal) or, with
//! `SQE_LOG_FORMAT=json`, one JSON object per line for log collectors, each carrying the fields
//! of the spans it was written in (the access log's span gives every line of a request its
//! `request_id`). `RUST_LOG` filters (default `info`).

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text { ansi: bool },
    Json,
}

/// A subscriber writing `format` to `writer`, filtered by `filter`.
pub fn subscriber<W>(
    format: LogFormat,
    filter: EnvFilter,
    writer: W,
) -> Box<dyn tracing::Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let logs = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_env_filter(filter);
    match format {
        LogFormat::Json => Box::new(
            logs.json()
                .with_current_span(false)
                .with_span_list(true)
                .finish(),
        ),
        LogFormat::Text { ansi } => Box::new(logs.with_ansi(ansi).finish()),
    }
}

/// Installs the process's subscriber from `SQE_LOG_FORMAT` and `RUST_LOG`.
pub fn init() {
    use std::io::IsTerminal as _;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let setting = std::env::var("SQE_LOG_FORMAT");
    let format = match setting.as_deref() {
        Ok("json") => LogFormat::Json,
        _ => LogFormat::Text {
            ansi: std::io::stderr().is_terminal(),
        },
    };
    // `try_init`, not `set_global_default`: it also routes the `log` records of actix-web,
    // r2d2 and the image libraries into the same lines.
    use tracing_subscriber::util::SubscriberInitExt as _;
    if subscriber(format, filter, std::io::stderr)
        .try_init()
        .is_err()
    {
        return;
    }
    if let Ok(other) = setting {
        if other != "text" && other != "json" {
            tracing::warn!(
                format = other,
                "SQE_LOG_FORMAT is `text` or `json`; writing text"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| std::io::ErrorKind::Other)?
                .extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Buffer {
        type Writer = Buffer;
        fn make_writer(&'a self) -> Buffer {
            self.clone()
        }
    }

    #[test]
    fn json_lines_carry_the_fields_of_their_spans() {
        let buffer = Buffer::default();
        let subscriber = subscriber(LogFormat::Json, EnvFilter::new("info"), buffer.clone());
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("HTTP request", request_id = "r-1");
            span.in_scope(|| tracing::info!("inside"));
        });
        let text = String::from_utf8(buffer.0.lock().expect("buffer").clone()).expect("utf-8");
        let line: serde_json::Value = serde_json::from_str(text.trim()).expect("one JSON line");
        assert_eq!(line["fields"]["message"], "inside");
        assert_eq!(line["spans"][0]["request_id"], "r-1", "{text}");
    }
}
