/** @launchgate/backlog/emulator — work in progress (issue 16). */
export {}
