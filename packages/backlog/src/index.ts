/** @launchgate/backlog — work in progress (issue 16). */
export {}
