"""Background jobs: RQ with Redis when REDIS_URL is set, else the same functions in the web
process (docs/jobs.md).

Two layers, so that imports still go one way: `queue` and `worker` are infrastructure like
`core` (they import no feature, and core and every feature may use `enqueue`); `schedule`,
`reindex`, `failed` and `views` name the features' jobs and sit at the right with admin and cli.
This file imports nothing, so that importing `marketplace.jobs.queue` pulls in no feature."""
