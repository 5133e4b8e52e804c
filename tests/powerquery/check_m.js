#!/usr/bin/env node
// Syntax-checks Power Query (M) files with Microsoft's parser (@microsoft/powerquery-parser).
//
//   node tests/powerquery/check_m.js FILE.pq [FILE.m ...]
//
// Prints "ok FILE" for each file that lexes and parses, or "FILE:LINE:COLUMN: error: MESSAGE"
// (1-based) for each that does not. Exit status: 0 all parsed, 1 a file failed to parse,
// 2 usage error or unreadable file, 3 the parser is not installed (run `npm ci`).
// It checks syntax only: M cannot be evaluated outside Power Query.
"use strict";

const fs = require("fs");

let PQP;
try {
    PQP = require("@microsoft/powerquery-parser");
} catch (err) {
    process.stderr.write(
        "check_m: @microsoft/powerquery-parser is not installed; run `npm ci` in the " +
            `repository root (${err.code || err.message})\n`,
    );
    process.exit(3);
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

async function checkFile(path) {
    let text;
    try {
        text = fs.readFileSync(path, "utf8");
    } catch (err) {
        process.stderr.write(`${path}: error: cannot read: ${err.message}\n`);
        return 2;
    }
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // Power BI's editor may add a BOM
    const task = await PQP.TaskUtils.tryLexParse(PQP.DefaultSettings, text);
    if (PQP.TaskUtils.isOk(task)) {
        process.stdout.write(`ok ${path}\n`);
        return 0;
    }
    const pos = errorPosition(task, text);
    const where = pos ? `${pos.lineNumber + 1}:${pos.lineCodeUnit + 1}` : "?:?";
    process.stdout.write(`${path}:${where}: error: ${describe(task)}\n`);
    return 1;
}

async function main(paths) {
    if (paths.length === 0) {
        process.stderr.write("usage: node tests/powerquery/check_m.js FILE.pq [FILE.m ...]\n");
        return 2;
    }
    let status = 0;
    for (const path of paths) {
        status = Math.max(status, await checkFile(path));
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
