//! `any`: one of the successful inputs, picked at random.

use async_trait::async_trait;
use rand::seq::SliceRandom;

use super::{no_validation, Task, TaskContext, TaskKind};
use crate::{error::TaskError, value::Value};

pub(crate) const KIND: TaskKind =
    TaskKind { name: "any", required: &[], validate: no_validation, build: |_, _| Ok(Box::new(Any)) };

struct Any;

#[async_trait]
impl Task for Any {
    async fn run(&self, cx: &TaskContext<'_>) -> Result<Value, TaskError> {
        let ok: Vec<&Value> = cx.inputs.iter().filter_map(|i| i.result.as_ref().ok()).collect();
        ok.choose(&mut rand::thread_rng()).map(|v| (*v).clone()).ok_or(TaskError::NoValues)
    }

    fn tolerates_input_errors(&self) -> bool {
        true
    }
}
