#!/usr/bin/env node
// Checks Power Query (M) files with Microsoft's own tools: the parser
// (@microsoft/powerquery-parser) for syntax, then the language services
// (@microsoft/powerquery-language-services) with the standard library's symbols
// (../shared/powerquery/standard-enUs.json) for unknown identifiers (a misspelt library
// function or step name) and duplicate identifiers.
//
//   node tests/powerquery/check_m.js [--defined=A,B] [--library=PATH] FILE.pq [FILE.m ...]
//
// --defined names queries or parameters that exist beside the checked text in a Power BI file
// (e.g. a PlanBridgeToken parameter); any other name must be defined in the text or the library.
// Prints "ok FILE" for each file that passes, or "FILE:LINE:COLUMN: error: MESSAGE" (1-based) for
// each problem. Exit status: 0 all passed, 1 a file has an error, 2 usage error or unreadable
// file, 3 a checker package is not installed (run `npm ci`), 4 the library symbols are missing.
// M cannot be evaluated outside Power Query: this is a static check.
"use strict";

const fs = require("fs");
const path = require("path");

let PQP;
let PQLS;
try {
    PQP = require("@microsoft/powerquery-parser");
    PQLS = require("@microsoft/powerquery-language-services");
} catch (err) {
    process.stderr.write(
        "check_m: @microsoft/powerquery-parser or @microsoft/powerquery-language-services is not " +
            `installed; run \`npm ci\` in the repository root (${err.code || err.message})\n`,
    );
    process.exit(3);
}
// The language services carry their own copy of the parser: build their settings from it.
const PQLSP = require(require.resolve("@microsoft/powerquery-parser", {
    paths: [path.dirname(require.resolve("@microsoft/powerquery-language-services"))],
}));

const DEFAULT_LIBRARY = path.resolve(__dirname, "../../../shared/powerquery/standard-enUs.json");

function loadLibrary(libraryPath, defined) {
    const symbols = JSON.parse(fs.readFileSync(libraryPath, "utf8"));
    const definedMap = new Map(
        defined.map((name) => [
            name,
            {
                kind: PQLS.Library.LibraryDefinitionKind.Constant,
                label: name,
                description: "defined beside the checked text (--defined)",
                asPowerQueryType: PQLSP.Language.Type.AnyInstance,
                completionItemKind: 6,
            },
        ]),
    );
    const created = PQLS.LibrarySymbolUtils.createLibrary(symbols, () => definedMap, undefined);
    const library = PQLSP.ResultUtils.isOk(created) ? created.value : created.error.library;
    if (library.libraryDefinitions.staticLibraryDefinitions.size < 800) {
        throw new Error(`${libraryPath} holds too few symbols to be the standard library`);
    }
    const inspectionSettings = {
        ...PQLSP.DefaultSettings,
        isWorkspaceCacheAllowed: false,
        library,
        eachScopeById: undefined,
        typeStrategy: PQLS.TypeStrategy.Primitive,
    };
    return {
        analysis: {
            inspectionSettings,
            isWorkspaceCacheAllowed: false,
            initialCorrelationId: undefined,
            traceManager: PQLSP.Trace.NoOpTraceManagerInstance,
        },
        validation: PQLS.ValidationSettingsUtils.createValidationSettings(
            inspectionSettings,
            "check_m",
            {
                checkUnknownIdentifiers: true,
                checkForDuplicateIdentifiers: true,
                // Reports false positives on valid calls in 0.10.x (see ../shared/powerquery).
                checkInvokeExpressions: false,
            },
        ),
    };
}

// Where the parser says the problem is, as 0-based {lineNumber, lineCodeUnit}, or null.
function errorPosition(task, text) {
    const inner = task.error && task.error.innerError;
    if (inner) {
        if (inner.graphemePosition) return inner.graphemePosition; // lexer errors
        if (inner.foundToken && inner.foundToken.token) return inner.foundToken.token.positionStart;
        if (inner.token && inner.token.positionStart) return inner.token.positionStart;
        if (inner.positionStart) return inner.positionStart;
    }
    // Parser errors found at the end of the stream carry no token: report the end of the text.
    if (task.stage === "Parse") {
        const lines = text.split("\n");
        return { lineNumber: lines.length - 1, lineCodeUnit: lines[lines.length - 1].length };
    }
    return null;
}

function describe(task) {
    const error = task.error;
    const message = (error && error.message) || String(error);
    const kind = error && error.innerError ? error.innerError.constructor.name : undefined;
    return kind ? `${message} [${task.stage} ${kind}]` : `${message} [${task.stage}]`;
}

async function checkFile(file, settings) {
    let text;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        process.stderr.write(`${file}: error: cannot read: ${err.message}\n`);
        return 2;
    }
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // Power BI's editor may add a BOM
    const task = await PQP.TaskUtils.tryLexParse(PQP.DefaultSettings, text);
    if (!PQP.TaskUtils.isOk(task)) {
        const pos = errorPosition(task, text);
        const where = pos ? `${pos.lineNumber + 1}:${pos.lineCodeUnit + 1}` : "?:?";
        process.stdout.write(`${file}:${where}: error: ${describe(task)}\n`);
        return 1;
    }
    const document = PQLS.textDocument(`file:///${path.basename(file)}`, 1, text);
    const result = await PQLS.validate(document, settings.analysis, settings.validation);
    if (!PQLSP.ResultUtils.isOk(result)) {
        process.stdout.write(`${file}:?:?: error: the language services failed: ${result.error}\n`);
        return 1;
    }
    const diagnostics = (result.value && result.value.diagnostics) || [];
    for (const d of diagnostics) {
        const where = `${d.range.start.line + 1}:${d.range.start.character + 1}`;
        process.stdout.write(`${file}:${where}: error: ${d.message} [${d.code}]\n`);
    }
    if (diagnostics.length > 0) return 1;
    process.stdout.write(`ok ${file}\n`);
    return 0;
}

async function main(args) {
    const paths = args.filter((a) => !a.startsWith("--"));
    const option = (name) => {
        const found = args.find((a) => a.startsWith(`--${name}=`));
        return found === undefined ? undefined : found.slice(name.length + 3);
    };
    if (paths.length === 0) {
        process.stderr.write(
            "usage: node tests/powerquery/check_m.js [--defined=A,B] [--library=PATH] FILE.pq ...\n",
        );
        return 2;
    }
    const libraryPath = option("library") || DEFAULT_LIBRARY;
    if (!fs.existsSync(libraryPath)) {
        process.stderr.write(
            `check_m: the standard library symbols are missing: ${libraryPath} ` +
                "(../shared/powerquery/standard-enUs.json beside the repository)\n",
        );
        return 4;
    }
    const defined = (option("defined") || "").split(",").filter((n) => n);
    const settings = loadLibrary(libraryPath, defined);
    let status = 0;
    for (const file of paths) {
        status = Math.max(status, await checkFile(file, settings));
    }
    return status;
}

main(process.argv.slice(2)).then(
    (status) => process.exit(status),
    (err) => {
        process.stderr.write(`check_m: ${err && err.stack ? err.stack : err}\n`);
        process.exit(2);
    },
);
