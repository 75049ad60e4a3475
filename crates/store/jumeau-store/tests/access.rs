//! The permission matrix of `jumeau_core::access`, cell by cell, on the store's own write
//! paths: for each role (a logged-in seed account) and each action the store carries out, an
//! allowed action succeeds and a refused one fails with the reason and changes nothing.
//! (Alarm and simulator actions are the runtime's: tested in jumeau-runtime.)

use jumeau_core::access::{Action, allows};
use jumeau_core::changeset::{Change, ChangeSetContent};
use jumeau_core::logbook::EntryDraft;
use jumeau_core::procedure::Run;
use jumeau_core::{Role, plant};
use jumeau_store::{Store, StoreError, testing};

/// The first seed account holding `role`.
fn account(role: Role) -> String {
    let accounts = plant::embedded_accounts().accounts;
    accounts.into_iter().find(|a| a.role == role).unwrap().login
}

/// Every row of every table but the audit trail, in order: equal before and after means
/// nothing changed (a refusal is itself audited, checked apart).
fn contents(store: &Store) -> String {
    let conn = store.connection();
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT IN ('audit', 'sqlite_sequence') ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut all = String::new();
    for t in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            all.push_str(&t);
            for i in 0..n {
                all.push_str(&format!(" {:?}", row.get_ref(i).unwrap()));
            }
            all.push('\n');
        }
    }
    all
}

fn note() -> EntryDraft {
    EntryDraft::manual("note", "Ronde")
}

fn change() -> ChangeSetContent {
    let mut tg1 = plant::embedded().md.component("11MBA00").unwrap().clone();
    tg1.description = "Révision 2026".into();
    ChangeSetContent {
        changes: vec![Change::UpsertComponent(tg1)],
    }
}

/// Carries out `action` as `login`; what it needs beforehand (a change-set proposed by
/// someone else) is prepared first, outside what is compared.
fn attempt(store: &mut Store, login: &str, action: Action) -> Option<Result<(), StoreError>> {
    Some(match action {
        Action::WriteLogbook => store.append_logbook(login, &note()).map(drop),
        Action::ProposeChange => store.propose_changeset(login, "TG1", &change()).map(drop),
        Action::DecideChange => return None,
        Action::ManageAccounts => store
            .create_user(login, "p.roux", "Paul Roux", Role::Field)
            .map(drop),
        Action::RunProcedure => {
            let md = store.master_data().unwrap();
            let p = md.procedures[0].load(&md).unwrap();
            let run = Run::start(&p, login, Role::Operator, 0, false);
            store.start_procedure_run(&run, login).map(drop)
        }
        Action::ReadAudit => store.audit_trail(login, 10).map(drop),
        Action::AcknowledgeAlarm
        | Action::ShelveAlarm
        | Action::TakeAlarmOutOfService
        | Action::CommandSimulator => unreachable!("the runtime's"),
    })
}

fn cell(role: Role, action: Action) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = testing::set_passwords(&dir.path().join("jumeau.sqlite"), "poste-1").unwrap();
    let login = account(role);
    let login = login.as_str();
    let before;
    let result = if action == Action::DecideChange {
        // Proposed by someone else, so that only the role decides the outcome.
        let proposer = if login == "a.durand" {
            "j.martin"
        } else {
            "a.durand"
        };
        let id = store.propose_changeset(proposer, "TG1", &change()).unwrap();
        before = contents(&store);
        store.validate_changeset(login, id, Some("vu"))
    } else {
        before = contents(&store);
        attempt(&mut store, login, action).unwrap()
    };
    let after = contents(&store);
    if allows(role, action) {
        result.unwrap_or_else(|e| panic!("{login} ({role}) refused {action}: {e}"));
        if action != Action::ReadAudit {
            assert_ne!(before, after, "{login} ({role}) {action}: nothing written");
        }
    } else {
        let err = result.expect_err(&format!("{login} ({role}) allowed to {action}"));
        assert!(
            matches!(err, StoreError::Forbidden(_)),
            "{login} ({role}) {action}: {err}"
        );
        assert!(err.to_string().contains(action.describe()), "{err}");
        assert_eq!(
            before, after,
            "{login} ({role}) refused {action} changed the store"
        );
    }
}

macro_rules! cells {
    ($($name:ident: $role:ident $action:ident;)*) => {
        $(
            #[test]
            fn $name() {
                cell(Role::$role, Action::$action);
            }
        )*
    };
}

cells! {
    operator_write_logbook: Operator WriteLogbook;
    field_write_logbook: Field WriteLogbook;
    engineer_write_logbook: Engineer WriteLogbook;
    auditor_write_logbook: Auditor WriteLogbook;
    trainer_write_logbook: Trainer WriteLogbook;
    operator_propose_change: Operator ProposeChange;
    field_propose_change: Field ProposeChange;
    engineer_propose_change: Engineer ProposeChange;
    auditor_propose_change: Auditor ProposeChange;
    trainer_propose_change: Trainer ProposeChange;
    operator_decide_change: Operator DecideChange;
    field_decide_change: Field DecideChange;
    engineer_decide_change: Engineer DecideChange;
    auditor_decide_change: Auditor DecideChange;
    trainer_decide_change: Trainer DecideChange;
    operator_manage_accounts: Operator ManageAccounts;
    field_manage_accounts: Field ManageAccounts;
    engineer_manage_accounts: Engineer ManageAccounts;
    auditor_manage_accounts: Auditor ManageAccounts;
    trainer_manage_accounts: Trainer ManageAccounts;
    operator_run_procedure: Operator RunProcedure;
    field_run_procedure: Field RunProcedure;
    engineer_run_procedure: Engineer RunProcedure;
    auditor_run_procedure: Auditor RunProcedure;
    trainer_run_procedure: Trainer RunProcedure;
    operator_read_audit: Operator ReadAudit;
    field_read_audit: Field ReadAudit;
    engineer_read_audit: Engineer ReadAudit;
    auditor_read_audit: Auditor ReadAudit;
    trainer_read_audit: Trainer ReadAudit;
}
