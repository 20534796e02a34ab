#!/usr/bin/env node
// The `sluice` command.
import { sluice } from "./command/main.js";

// The command ends the process: a client library's lingering timer must not keep a stopped service alive.
sluice(process.argv.slice(2)).then((code) => process.exit(code));
