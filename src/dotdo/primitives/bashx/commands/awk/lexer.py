"""Tokens of the awk language (regex literals are told apart from division by the previous token)."""

from __future__ import annotations

import re
from dataclasses import dataclass


class AwkSyntaxError(ValueError):
    """A malformed awk program."""


@dataclass(frozen=True)
class Token:
    """A token; ``kind`` is NUMBER, STRING, ERE, NAME, FUNC_NAME, BUILTIN, keyword, NEWLINE or an operator."""

    kind: str
    value: str
    line: int


KEYWORDS = {
    "BEGIN",
    "END",
    "function",
    "func",
    "if",
    "else",
    "while",
    "for",
    "do",
    "break",
    "continue",
    "next",
    "nextfile",
    "exit",
    "return",
    "delete",
    "in",
    "getline",
    "print",
    "printf",
}
BUILTINS = {
    "length",
    "substr",
    "index",
    "split",
    "sub",
    "gsub",
    "match",
    "sprintf",
    "tolower",
    "toupper",
    "int",
    "sqrt",
    "exp",
    "log",
    "sin",
    "cos",
    "atan2",
    "rand",
    "srand",
    "close",
    "system",
    "fflush",
}
OPERATORS = [
    "+=",
    "-=",
    "*=",
    "/=",
    "%=",
    "^=",
    "**=",
    "==",
    "<=",
    ">=",
    "!=",
    "++",
    "--",
    "&&",
    "||",
    ">>",
    "!~",
    "**",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ";",
    ",",
    "+",
    "-",
    "*",
    "/",
    "%",
    "^",
    "!",
    ">",
    "<",
    "|",
    "?",
    ":",
    "~",
    "$",
    "=",
]
OPERAND_END = {"NUMBER", "STRING", "ERE", "NAME", "BUILTIN", ")", "]", "$", "++", "--"}
ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "\\": "\\",
    '"': '"',
    "/": "/",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
}


def _unescape(body: str) -> str:
    def repl(m: re.Match[str]) -> str:
        text = m.group(1)
        if text[0] in "01234567":
            return chr(int(text, 8))
        return ESCAPES.get(text, "\\" + text)

    return re.sub(r"\\([0-7]{1,3}|.)", repl, body)


def tokenize(source: str) -> list[Token]:
    """Split awk source into tokens."""
    tokens: list[Token] = []
    i = 0
    line = 1
    n = len(source)
    while i < n:
        ch = source[i]
        if ch == "\\" and source.startswith("\\\n", i):
            i += 2
            line += 1
            continue
        if ch in " \t\r":
            i += 1
            continue
        if ch == "#":
            while i < n and source[i] != "\n":
                i += 1
            continue
        if ch == "\n":
            tokens.append(Token("NEWLINE", "\n", line))
            line += 1
            i += 1
            continue
        if ch == '"':
            j = i + 1
            while j < n and source[j] != '"':
                j += 2 if source[j] == "\\" else 1
            if j >= n:
                raise AwkSyntaxError(f'awk: line {line}: runaway string constant "{source[i + 1 : i + 11]} ...')
            tokens.append(Token("STRING", _unescape(source[i + 1 : j]), line))
            i = j + 1
            continue
        if ch == "/" and (not tokens or tokens[-1].kind not in OPERAND_END):
            j = i + 1
            in_bracket = False
            while j < n and (source[j] != "/" or in_bracket):
                if source[j] == "\\":
                    j += 2
                    continue
                if source[j] == "[":
                    in_bracket = True
                elif source[j] == "]":
                    in_bracket = False
                elif source[j] == "\n":
                    break
                j += 1
            if j >= n or source[j] != "/":
                raise AwkSyntaxError(f"awk: line {line}: runaway regular expression /{source[i + 1 : i + 11]} ...")
            tokens.append(Token("ERE", source[i + 1 : j].replace("\\/", "/"), line))
            i = j + 1
            continue
        m = re.compile(r"(\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|0[xX][0-9a-fA-F]+)").match(source, i)
        if m:
            tokens.append(Token("NUMBER", m.group(), line))
            i = m.end()
            continue
        m = re.compile(r"[A-Za-z_][A-Za-z0-9_]*").match(source, i)
        if m:
            word = m.group()
            i = m.end()
            if word in KEYWORDS:
                tokens.append(Token(word, word, line))
            elif word in BUILTINS:
                tokens.append(Token("BUILTIN", word, line))
            elif i < n and source[i] == "(":
                tokens.append(Token("FUNC_NAME", word, line))
            else:
                tokens.append(Token("NAME", word, line))
            continue
        for op in OPERATORS:
            if source.startswith(op, i):
                tokens.append(Token(op, op, line))
                i += len(op)
                break
        else:
            raise AwkSyntaxError(f"awk: line {line}: syntax error at or near {ch}")
    tokens.append(Token("EOF", "", line))
    return tokens
