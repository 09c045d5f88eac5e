//! `csv_parser`: headers, a row by index, a column by name, every row as JSON (with the
//! original's preview limits), and summary statistics of the numeric columns.

mod statistics;

use praximous_skill::{Reply, Request, Skill, SkillError, Value, export_skill, json};
use serde::Deserialize;

/// How many values of a column, and how many rows as JSON, an answer carries.
const COLUMN_PREVIEW: usize = 50;
const ROWS_PREVIEW: usize = 20;

#[derive(Deserialize)]
struct Params {
    operation: Option<String>,
    csv_data: Option<String>,
    row_index: Option<Value>,
    column_name: Option<String>,
}

/// The CSV as the header row and the data rows. Rows may be ragged, as Python's reader
/// allows; a missing cell reads as empty.
struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn parse(text: &str) -> Result<Self, SkillError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut records = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                SkillError::bad_input("CSV Parsing Error").with_details(e.to_string())
            })?;
            records.push(record.iter().map(str::to_owned).collect::<Vec<_>>());
        }
        let mut records = records.into_iter();
        let Some(headers) = records.next() else {
            return Err(
                SkillError::bad_input("CSV Error").with_details("CSV data is empty or invalid.")
            );
        };
        Ok(Self {
            headers,
            rows: records.collect(),
        })
    }

    /// A row as an object keyed by header (extra cells beyond the headers are dropped, as
    /// Python's `zip` does).
    fn row_object(&self, row: &[String]) -> Value {
        let object: serde_json::Map<String, Value> = self
            .headers
            .iter()
            .zip(row)
            .map(|(header, cell)| (header.clone(), json!(cell)))
            .collect();
        Value::Object(object)
    }

    fn column(&self, index: usize) -> Vec<&str> {
        self.rows
            .iter()
            .map(|row| row.get(index).map_or("", String::as_str))
            .collect()
    }
}

/// Python's `repr` of a list of strings, as the original's error messages print headers.
fn python_list(items: &[String]) -> String {
    let quoted: Vec<String> = items
        .iter()
        .map(|item| {
            if item.contains('\'') && !item.contains('"') {
                format!("\"{item}\"")
            } else {
                format!("'{}'", item.replace('\\', "\\\\").replace('\'', "\\'"))
            }
        })
        .collect();
    format!("[{}]", quoted.join(", "))
}

fn row_index(value: Option<Value>) -> Result<i64, SkillError> {
    let missing = || {
        SkillError::bad_input("Input Error")
            .with_details("'row_index' (0-based for data rows) is required.")
    };
    let not_integer =
        || SkillError::bad_input("Input Error").with_details("'row_index' must be an integer.");
    match value {
        None | Some(Value::Null) => Err(missing()),
        Some(Value::Number(n)) => n.as_i64().ok_or_else(not_integer),
        Some(Value::String(s)) => s.trim().parse().map_err(|_| not_integer()),
        Some(_) => Err(not_integer()),
    }
}

struct CsvParser;

impl Skill for CsvParser {
    type Params = Params;

    fn run(request: Request<Params>) -> Result<Reply, SkillError> {
        let Params {
            operation,
            csv_data,
            row_index: index,
            column_name,
        } = request.params;
        let operation = operation
            .unwrap_or_else(|| "get_csv_headers".into())
            .to_lowercase();
        let text = csv_data.unwrap_or(request.prompt);
        if text.trim().is_empty() {
            return Err(
                SkillError::bad_input("Input Error").with_details("CSV data cannot be empty.")
            );
        }
        let table = Table::parse(&text)?;
        let data = match operation.as_str() {
            "get_csv_headers" => json!({
                "headers": table.headers,
                "num_data_rows": table.rows.len(),
            }),
            "get_csv_row_by_index" => {
                let index = row_index(index)?;
                let row = usize::try_from(index)
                    .ok()
                    .and_then(|i| table.rows.get(i))
                    .ok_or_else(|| {
                        SkillError::bad_input("Index Error").with_details(format!(
                            "Row index {index} is out of bounds for {} data rows.",
                            table.rows.len()
                        ))
                    })?;
                json!({ "row_index": index, "row_data": table.row_object(row) })
            }
            "get_csv_column_by_name" => {
                let name = column_name.filter(|n| !n.is_empty()).ok_or_else(|| {
                    SkillError::bad_input("Input Error").with_details("'column_name' is required.")
                })?;
                let index = table
                    .headers
                    .iter()
                    .position(|h| *h == name)
                    .ok_or_else(|| {
                        SkillError::bad_input("Input Error").with_details(format!(
                            "Column '{name}' not found in headers: {}",
                            python_list(&table.headers)
                        ))
                    })?;
                let column = table.column(index);
                json!({
                    "column_name": name,
                    "column_data": column.iter().take(COLUMN_PREVIEW).collect::<Vec<_>>(),
                    "total_items_in_column": column.len(),
                })
            }
            "get_all_data_as_json" => {
                let rows: Vec<Value> = table
                    .rows
                    .iter()
                    .take(ROWS_PREVIEW)
                    .map(|row| table.row_object(row))
                    .collect();
                json!({ "json_data": rows, "total_rows_converted": table.rows.len() })
            }
            "get_column_statistics" => {
                let mut numeric = serde_json::Map::new();
                let mut other = Vec::new();
                for (index, header) in table.headers.iter().enumerate() {
                    match statistics::describe(&table.column(index)) {
                        Some(summary) => {
                            numeric.insert(header.clone(), summary);
                        }
                        None => other.push(header.clone()),
                    }
                }
                json!({
                    "columns": numeric,
                    "non_numeric_columns": other,
                    "num_data_rows": table.rows.len(),
                })
            }
            other => {
                return Err(SkillError::bad_input("Unsupported Operation")
                    .with_details(format!("Operation '{other}' is not supported.")));
            }
        };
        Ok(Reply::data(data))
    }
}

export_skill!(CsvParser);
