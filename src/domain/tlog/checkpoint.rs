//! C2SP tlog-checkpoint v1.0.0: the body of a log's signed head (origin, tree size, root hash).

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;

use super::merkle::Hash;

/// A checkpoint body: which log, how many entries, and the tree's root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
}

/// Why a checkpoint body is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed checkpoint: {0}")]
pub struct CheckpointError(pub &'static str);

impl Checkpoint {
    /// The body: `origin\nsize\nbase64(root)\n` (no extension lines).
    pub fn body(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(self.root)
        )
    }

    /// Parses a body (extension lines after the root are allowed and ignored).
    pub fn parse(body: &str) -> Result<Checkpoint, CheckpointError> {
        if !body.ends_with('\n') {
            return Err(CheckpointError("a body ends with a newline"));
        }
        let mut lines = body.split('\n');
        let origin = lines.next().unwrap_or_default();
        if origin.is_empty() {
            return Err(CheckpointError("no origin"));
        }
        let size = super::canonical_decimal(lines.next().unwrap_or_default())
            .ok_or(CheckpointError("the size is not a decimal number"))?;
        let root = B64
            .decode(lines.next().unwrap_or_default())
            .map_err(|_| CheckpointError("the root is not base64"))?;
        let root: Hash = root
            .try_into()
            .map_err(|_| CheckpointError("the root is not 32 bytes"))?;
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_of_the_specification_example_parses_and_prints_back() {
        // C2SP tlog-checkpoint v1.0.0, "Example".
        let body =
            "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        let c = Checkpoint::parse(body).expect("parses");
        assert_eq!(c.origin, "example.com/behind-the-sofa");
        assert_eq!(c.size, 20_852_163);
        assert_eq!(&c.root[..4], &[0x0a, 0xc5, 0x18, 0x6a]);
        assert_eq!(c.body(), body);
    }

    #[test]
    fn malformed_bodies_are_refused() {
        let root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
        for body in [
            format!("o\n12\n{root}"),
            format!("\n12\n{root}\n"),
            format!("o\n012\n{root}\n"),
            format!("o\n-1\n{root}\n"),
            format!("o\n1 2\n{root}\n"),
            "o\n12\nAAAA\n".to_owned(),
            "o\n12\n".to_owned(),
        ] {
            assert!(Checkpoint::parse(&body).is_err(), "{body:?}");
        }
    }
}
