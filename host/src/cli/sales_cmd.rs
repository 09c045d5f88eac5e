//! `prax license sales` and `prax license resend` (the vendor's server): the licences Paddle
//! purchases provisioned, where each stands, and sending one again.

use clap::Args;

use super::keys_cmd::StoreArgs;
use crate::commerce::records::{CommerceRecords, SaleRecord};
use crate::environment::Environment;

/// `prax license sales` options.
#[derive(Debug, Args)]
pub struct SalesArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub place: StoreArgs,
}

/// `prax license resend` options.
#[derive(Debug, Args)]
pub struct ResendArgs {
    /// The licence to e-mail again (`lic_txn_...`, from `prax license sales`).
    pub licence: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub place: StoreArgs,
}

/// The sales records of the installation `place` names, and the runtime that carries a
/// PostgreSQL store's connections (keep it while using them).
fn open(
    place: &StoreArgs,
) -> anyhow::Result<(std::sync::Arc<dyn CommerceRecords>, tokio::runtime::Runtime)> {
    let config = place.load()?;
    let runtime = super::store_runtime()?;
    let location = config
        .store_location(&Environment::process())
        .map_err(|e| anyhow::anyhow!("`{}` {}", e.key, e.problem))?;
    let records = crate::store::open_commerce(&location, runtime.handle())?;
    Ok((records, runtime))
}

/// Every licence sold, oldest first, with where its e-mail stands.
pub fn sales(args: &SalesArgs) -> anyhow::Result<()> {
    let (records, _runtime) = open(&args.place)?;
    let sales = records.sales()?;
    if args.json {
        let rows: Vec<serde_json::Value> = sales
            .iter()
            .map(|sale| {
                let mut row = serde_json::to_value(sale).unwrap_or_default();
                row["state"] = sale.state().into();
                row
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else if sales.is_empty() {
        println!("no licence has been sold yet");
    } else {
        print!("{}", table(&sales));
    }
    Ok(())
}

fn table(sales: &[SaleRecord]) -> String {
    let mut text = String::from("LICENCE\tTIER\tUNTIL\tTO\tSTATE\n");
    for sale in sales {
        let until = sale
            .terms
            .valid_until
            .get(..10)
            .unwrap_or(&sale.terms.valid_until);
        let state = match &sale.mail_error {
            Some(error) if sale.mailed_at.is_none() => format!("{}: {error}", sale.state()),
            _ => sale.state().to_owned(),
        };
        text.push_str(&format!(
            "{}\t{}\t{until}\t{}\t{state}\n",
            sale.licence_id,
            sale.terms.tier.as_str(),
            sale.email.as_deref().unwrap_or("-"),
        ));
    }
    text
}

/// E-mail a signed licence again: a running server with `[commerce]` sends it within seconds.
pub fn resend(args: &ResendArgs) -> anyhow::Result<()> {
    let (records, _runtime) = open(&args.place)?;
    let now = crate::commerce::event::normalized(time::OffsetDateTime::now_utc());
    if records.resend(&args.licence, &now)? {
        println!(
            "{} will be e-mailed again by the running server within a few seconds",
            args.licence
        );
        Ok(())
    } else {
        anyhow::bail!(
            "{}: no signed licence of that id; `prax license sales` lists them (one waiting for its customer's e-mail is sent when the e-mail arrives)",
            args.licence
        )
    }
}
