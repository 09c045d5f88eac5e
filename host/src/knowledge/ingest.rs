//! Reading an uploaded file into a document and its passages, checked before anything is
//! stored.

use sha2::{Digest, Sha256};

use super::chunking::{self, Budget};
use super::formats::{self, Format};
use super::store::{Chunk, Document};
use super::{FileFacts, Knowledge, KnowledgeError, Prepared, names, search};

impl Knowledge {
    /// Read, cut and check one file of an upload.
    pub fn prepare(&self, facts: &FileFacts, bytes: &[u8]) -> Result<Prepared, KnowledgeError> {
        let file = facts.file_name.clone();
        let limit = self.max_document_bytes();
        if bytes.len() > limit {
            return Err(KnowledgeError::TooLarge {
                file,
                bytes: bytes.len(),
                limit,
            });
        }
        let bad = |reason| KnowledgeError::BadFile {
            file: file.clone(),
            reason,
        };
        let format =
            Format::detect(&facts.file_name, facts.content_type.as_deref()).map_err(bad)?;
        let blocks = format.read(bytes).map_err(bad)?;
        let id = facts
            .id
            .clone()
            .unwrap_or_else(|| names::file_stem_id(&facts.file_name));
        names::check_document(&id).map_err(KnowledgeError::Invalid)?;
        names::check_tags(&facts.tags).map_err(KnowledgeError::Invalid)?;
        let date = match &facts.date {
            Some(date) => {
                search::day_number(date).ok_or_else(|| {
                    KnowledgeError::Invalid(format!(
                        "`date` is `{date}`, not a date: write it as YYYY-MM-DD"
                    ))
                })?;
                date.clone()
            }
            None => crate::timestamp::rfc3339(time::OffsetDateTime::now_utc())
                .chars()
                .take(10)
                .collect(),
        };
        let first_heading = blocks.iter().find_map(|block| match block {
            formats::Block::Heading { text, .. } => Some(text.clone()),
            formats::Block::Paragraph(_) | formats::Block::Page(_) => None,
        });
        let title = facts
            .title
            .clone()
            .filter(|t| !t.trim().is_empty())
            .or(first_heading)
            .unwrap_or_else(|| id.clone());
        let passages = chunking::chunk(
            &blocks,
            Budget {
                tokens: self.config.chunk_tokens,
                overlap: self.config.overlap_tokens,
            },
        );
        let chunks: Vec<Chunk> = passages
            .into_iter()
            .enumerate()
            .map(|(position, passage)| Chunk {
                document: id.clone(),
                position: position as u64,
                hash: hex::encode(Sha256::digest(
                    Chunk::embedding_input(&passage.heading_path, &passage.text).as_bytes(),
                )),
                text: passage.text,
                heading_path: passage.heading_path,
                page: passage.page,
            })
            .collect();
        Ok(Prepared {
            document: Document {
                id,
                title,
                media_type: format.media_type().to_owned(),
                sha256: hex::encode(Sha256::digest(bytes)),
                bytes: bytes.len() as u64,
                chunks: chunks.len() as u64,
                tags: facts.tags.clone(),
                date,
                added_at: crate::timestamp::rfc3339(time::OffsetDateTime::now_utc()),
            },
            chunks,
        })
    }
}
