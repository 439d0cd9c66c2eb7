import { packageBuild } from "../../tsup.base.js"

export default packageBuild(["src/index.ts","src/vitest.ts","src/cli.ts","src/http.ts","src/emulator/index.ts","src/testing.ts"])
