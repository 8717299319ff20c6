//! The validated task graph: [`Pipeline`] and its [`TaskSpec`]s.

use std::{
    cmp::Reverse,
    collections::{BTreeMap, BinaryHeap, HashMap, HashSet},
    sync::LazyLock,
    time::Duration,
};

use crate::{
    dot::{parse_dot, DotGraph},
    duration::parse_go_duration,
    error::{PipelineError, Position},
    task::TaskRegistry,
    vars::{Template, VarPath},
};

/// Attributes every task accepts, whatever its type.
pub const COMMON_ATTRIBUTES: &[&str] = &["type", "index", "timeout", "retries", "minBackoff", "maxBackoff"];

/// One attribute of a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// The name as written (lookups are case-insensitive, as in Chainlink).
    pub name: String,
    /// The value after DOT unquoting, split into text and `$(...)` references.
    pub template: Template,
    /// Where the value starts in the source.
    pub pos: Position,
}

impl Attribute {
    /// The value as written.
    pub fn raw(&self) -> &str {
        self.template.raw()
    }
}

/// One task of a pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskSpec {
    /// The DOT id (unique in the pipeline).
    pub id: String,
    /// The `type` attribute, lower-cased.
    pub task_type: String,
    /// The `index` attribute (default 0): orders this task among its siblings' inputs and
    /// among the final outputs.
    pub index: i32,
    /// The `timeout` attribute, overriding the job's `maxTaskDuration`.
    pub timeout: Option<Duration>,
    /// The `retries` attribute (default 0): extra attempts after a retryable error.
    pub retries: u32,
    /// The `minBackoff` attribute: first delay between retries (default 100 ms).
    pub min_backoff: Duration,
    /// The `maxBackoff` attribute: longest delay between retries (default 10 s).
    pub max_backoff: Duration,
    /// All attributes, keyed by lower-cased name.
    pub attributes: BTreeMap<String, Attribute>,
    /// Direct upstream tasks, ordered by their `index`, then topological position.
    pub parents: Vec<String>,
    /// Direct downstream tasks.
    pub children: Vec<String>,
    /// Where the task is declared.
    pub pos: Position,
}

impl TaskSpec {
    /// An attribute by name, case-insensitively.
    pub fn attr(&self, name: &str) -> Option<&Attribute> {
        self.attributes.get(&name.to_ascii_lowercase())
    }

    /// True if the task has no downstream task.
    pub fn is_terminal(&self) -> bool {
        self.children.is_empty()
    }
}

/// A parsed and validated pipeline: tasks in topological order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pipeline {
    source: String,
    tasks: Vec<TaskSpec>,
    by_id: HashMap<String, usize>,
}

static BUILTIN: LazyLock<TaskRegistry> = LazyLock::new(TaskRegistry::builtin);

impl Pipeline {
    /// Parses and validates an `observationSource` against the built-in task types.
    ///
    /// Checks syntax, duplicate ids and attributes, task types, required attributes, static
    /// attribute values (ABI signatures, durations, modes), cycles, and that every `$(task...)`
    /// reference names an upstream task. References to other roots (`jobRun`, ...) are checked by
    /// [`Pipeline::validate_variables`].
    pub fn parse(src: &str) -> Result<Self, PipelineError> {
        Self::parse_with(src, &BUILTIN)
    }

    /// [`Pipeline::parse`] followed by [`Pipeline::validate_variables`].
    pub fn parse_for(src: &str, variables: &[&str]) -> Result<Self, PipelineError> {
        let p = Self::parse(src)?;
        p.validate_variables(variables)?;
        Ok(p)
    }

    /// Like [`Pipeline::parse`] with a custom registry of task types.
    pub fn parse_with(src: &str, registry: &TaskRegistry) -> Result<Self, PipelineError> {
        let dot = parse_dot(src)?;
        let tasks = build_tasks(&dot, registry)?;
        let mut p = order_tasks(src, tasks, &dot)?;
        p.check_task_references()?;
        Ok(p)
    }

    /// Checks that every `$(root...)` names a task or one of `variables`
    /// (for example [`crate::DIRECT_REQUEST_VARIABLES`]).
    pub fn validate_variables(&self, variables: &[&str]) -> Result<(), PipelineError> {
        for t in &self.tasks {
            for attr in t.attributes.values() {
                for v in attr.template.vars() {
                    if !self.by_id.contains_key(&v.root) && !variables.contains(&v.root.as_str()) {
                        return Err(undefined(
                            t,
                            attr,
                            v,
                            format!("`{}` is neither a task nor a job variable", v.root),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// The source text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The tasks in execution (topological) order.
    pub fn tasks(&self) -> &[TaskSpec] {
        &self.tasks
    }

    /// A task by id.
    pub fn task(&self, id: &str) -> Option<&TaskSpec> {
        self.by_id.get(id).map(|&i| &self.tasks[i])
    }

    /// The tasks without children, ordered by `index` then topological position:
    /// their results are the run's outputs.
    pub fn terminal_tasks(&self) -> Vec<&TaskSpec> {
        let mut t: Vec<(usize, &TaskSpec)> = self.tasks.iter().enumerate().filter(|(_, t)| t.is_terminal()).collect();
        t.sort_by_key(|(i, t)| (t.index, *i));
        t.into_iter().map(|(_, t)| t).collect()
    }

    /// True if some task has this type (e.g. `ethtx`).
    pub fn has_task_type(&self, task_type: &str) -> bool {
        self.tasks.iter().any(|t| t.task_type.eq_ignore_ascii_case(task_type))
    }

    pub(crate) fn position_of(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    fn check_task_references(&mut self) -> Result<(), PipelineError> {
        // Upstream sets are only built for tasks that reference other tasks, one at a time, so
        // memory stays linear in the pipeline size whatever its shape.
        for (i, t) in self.tasks.iter().enumerate() {
            let mut upstream: Option<HashSet<usize>> = None;
            for attr in t.attributes.values() {
                for v in attr.template.vars() {
                    let Some(&ri) = self.by_id.get(&v.root) else { continue };
                    if ri == i {
                        return Err(undefined(t, attr, v, "a task cannot reference its own result".into()));
                    }
                    let up = upstream.get_or_insert_with(|| self.upstream_of(i));
                    if !up.contains(&ri) {
                        return Err(undefined(t, attr, v, format!("task `{}` is not upstream of `{}`", v.root, t.id)));
                    }
                }
            }
        }
        Ok(())
    }

    /// Positions of every task upstream of task `i` (a walk over parents).
    fn upstream_of(&self, i: usize) -> HashSet<usize> {
        let mut seen = HashSet::new();
        let mut stack: Vec<usize> = self.tasks[i].parents.iter().map(|p| self.by_id[p]).collect();
        while let Some(p) = stack.pop() {
            if seen.insert(p) {
                stack.extend(self.tasks[p].parents.iter().map(|q| self.by_id[q]));
            }
        }
        seen
    }
}

fn undefined(t: &TaskSpec, attr: &Attribute, v: &VarPath, reason: String) -> PipelineError {
    PipelineError::UndefinedVariable { task: t.id.clone(), variable: v.to_string(), reason, pos: attr.pos }
}

fn invalid(task: &str, attr: &Attribute, message: impl Into<String>) -> PipelineError {
    PipelineError::InvalidAttribute {
        task: task.to_owned(),
        attribute: attr.name.clone(),
        message: message.into(),
        pos: attr.pos,
    }
}

/// A literal attribute value (references are not allowed in structural attributes).
fn literal<'a>(task: &str, attr: &'a Attribute) -> Result<&'a str, PipelineError> {
    if attr.template.is_literal() {
        Ok(attr.raw().trim())
    } else {
        Err(invalid(task, attr, "must be a literal, not a variable"))
    }
}

fn build_tasks(dot: &DotGraph, registry: &TaskRegistry) -> Result<Vec<TaskSpec>, PipelineError> {
    let mut declared: HashMap<&str, Position> = HashMap::new();
    let mut specs: HashMap<&str, TaskSpec> = HashMap::new();
    for node in &dot.nodes {
        if let Some(first) = declared.get(node.id.as_str()) {
            return Err(PipelineError::DuplicateTask { task: node.id.clone(), pos: node.pos, first: *first });
        }
        declared.insert(&node.id, node.pos);
        let mut attributes = BTreeMap::new();
        for a in &node.attrs {
            let key = a.key.to_ascii_lowercase();
            if attributes.contains_key(&key) {
                return Err(PipelineError::DuplicateAttribute {
                    task: node.id.clone(),
                    attribute: a.key.clone(),
                    pos: a.pos,
                });
            }
            let template = Template::parse(&a.value).map_err(|e| PipelineError::InvalidAttribute {
                task: node.id.clone(),
                attribute: a.key.clone(),
                message: e.to_string(),
                pos: a.pos,
            })?;
            attributes.insert(key, Attribute { name: a.key.clone(), template, pos: a.pos });
        }
        let mut spec = TaskSpec {
            id: node.id.clone(),
            task_type: String::new(),
            index: 0,
            timeout: None,
            retries: 0,
            min_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(10),
            attributes,
            parents: Vec::new(),
            children: Vec::new(),
            pos: node.pos,
        };
        let Some(ty) = spec.attr("type") else {
            return Err(PipelineError::MissingType { task: node.id.clone(), pos: node.pos });
        };
        let ty = literal(&node.id, ty)?.to_ascii_lowercase();
        let Some(kind) = registry.get(&ty) else {
            return Err(PipelineError::UnknownTaskType { task: node.id.clone(), task_type: ty, pos: node.pos });
        };
        spec.task_type = ty;
        for req in kind.required {
            if spec.attr(req).is_none_or(|a| a.raw().trim().is_empty()) {
                return Err(PipelineError::MissingAttribute {
                    task: node.id.clone(),
                    attribute: (*req).to_owned(),
                    pos: node.pos,
                });
            }
        }
        common_attributes(&mut spec)?;
        (kind.validate)(&spec).map_err(|e| {
            let pos = spec.attr(&e.attribute).map(|a| a.pos).unwrap_or(spec.pos);
            PipelineError::InvalidAttribute { task: spec.id.clone(), attribute: e.attribute, message: e.message, pos }
        })?;
        specs.insert(&node.id, spec);
    }
    // Every id named in an edge must be declared with a type.
    for (id, pos) in &dot.mentions {
        if !specs.contains_key(id.as_str()) {
            return Err(PipelineError::MissingType { task: id.clone(), pos: *pos });
        }
    }
    // Keep declaration order (ids by first mention) for deterministic tie-breaking.
    Ok(dot.mentions.iter().map(|(id, _)| specs.remove(id.as_str()).expect("checked above")).collect())
}

fn common_attributes(spec: &mut TaskSpec) -> Result<(), PipelineError> {
    let id = spec.id.clone();
    let attrs = spec.attributes.clone();
    let get = |name: &str| attrs.get(&name.to_ascii_lowercase());
    if let Some(a) = get("index") {
        spec.index = literal(&id, a)?.parse().map_err(|_| invalid(&id, a, "must be a 32-bit integer"))?;
    }
    if let Some(a) = get("timeout") {
        let d = parse_go_duration(literal(&id, a)?).map_err(|e| invalid(&id, a, e))?;
        spec.timeout = (!d.is_zero()).then_some(d);
    }
    if let Some(a) = get("retries") {
        spec.retries = literal(&id, a)?.parse().map_err(|_| invalid(&id, a, "must be a non-negative integer"))?;
        if spec.retries > 100 {
            return Err(invalid(&id, a, "at most 100 retries"));
        }
    }
    if let Some(a) = get("minBackoff") {
        spec.min_backoff = parse_go_duration(literal(&id, a)?).map_err(|e| invalid(&id, a, e))?;
    }
    if let Some(a) = get("maxBackoff") {
        spec.max_backoff = parse_go_duration(literal(&id, a)?).map_err(|e| invalid(&id, a, e))?;
    }
    Ok(())
}

fn order_tasks(src: &str, mut tasks: Vec<TaskSpec>, dot: &DotGraph) -> Result<Pipeline, PipelineError> {
    if tasks.is_empty() {
        return Err(PipelineError::Empty);
    }
    let decl: HashMap<String, usize> = tasks.iter().enumerate().map(|(i, t)| (t.id.clone(), i)).collect();
    let n = tasks.len();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut parents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (from, to, _) in &dot.edges {
        let (f, t) = (decl[from], decl[to]);
        if f == t {
            return Err(PipelineError::Cycle { tasks: vec![from.clone(), to.clone()] });
        }
        if !children[f].contains(&t) {
            children[f].push(t);
            parents[t].push(f);
        }
    }
    // Kahn's algorithm; among ready tasks the smallest (index, declaration order) goes first.
    let mut indegree: Vec<usize> = parents.iter().map(Vec::len).collect();
    let mut ready: BinaryHeap<Reverse<(i32, usize)>> =
        (0..n).filter(|&i| indegree[i] == 0).map(|i| Reverse((tasks[i].index, i))).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(Reverse((_, i))) = ready.pop() {
        order.push(i);
        for &c in &children[i] {
            indegree[c] -= 1;
            if indegree[c] == 0 {
                ready.push(Reverse((tasks[c].index, c)));
            }
        }
    }
    if order.len() < n {
        return Err(PipelineError::Cycle { tasks: find_cycle(&tasks, &parents, &indegree) });
    }
    let mut topo_pos = vec![0; n];
    for (pos, &i) in order.iter().enumerate() {
        topo_pos[i] = pos;
    }
    for i in 0..n {
        let mut ps = parents[i].clone();
        ps.sort_by_key(|&p| (tasks[p].index, topo_pos[p]));
        tasks[i].parents = ps.iter().map(|&p| tasks[p].id.clone()).collect();
        let mut cs = children[i].clone();
        cs.sort_by_key(|&c| topo_pos[c]);
        tasks[i].children = cs.iter().map(|&c| tasks[c].id.clone()).collect();
    }
    let mut slots: Vec<Option<TaskSpec>> = tasks.into_iter().map(Some).collect();
    let tasks: Vec<TaskSpec> = order.iter().map(|&i| slots[i].take().expect("each once")).collect();
    let by_id = tasks.iter().enumerate().map(|(i, t)| (t.id.clone(), i)).collect();
    Ok(Pipeline { source: src.to_owned(), tasks, by_id })
}

/// Walks the tasks left by Kahn's algorithm to name one cycle. Each of them still has an
/// unresolved parent, so walking parents must eventually repeat a task.
fn find_cycle(tasks: &[TaskSpec], parents: &[Vec<usize>], indegree: &[usize]) -> Vec<String> {
    let start = (0..tasks.len()).find(|&i| indegree[i] > 0).expect("a cycle exists");
    let mut seen: Vec<usize> = Vec::new();
    let mut cur = start;
    loop {
        if let Some(at) = seen.iter().position(|&s| s == cur) {
            // `seen` runs against the edges; reverse it to print the cycle along them.
            let mut cycle: Vec<String> = seen[at..].iter().rev().map(|&i| tasks[i].id.clone()).collect();
            cycle.push(cycle[0].clone());
            return cycle;
        }
        seen.push(cur);
        cur = *parents[cur].iter().find(|&&p| indegree[p] > 0).expect("unresolved tasks have unresolved parents");
    }
}
