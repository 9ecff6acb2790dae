"""Readable names for Rust v0-mangled symbols (the kernel's mangling).

Covers what kernel modules contain: crate roots, nested paths, inherent
and trait impls, generic arguments, closures and back-references. Types
inside generic arguments are printed by their path only. Anything it cannot
parse is returned unchanged, so a report never loses a symbol.
"""

_BASIC = {
    "a": "i8", "b": "bool", "c": "char", "d": "f64", "e": "str", "f": "f32",
    "h": "u8", "i": "isize", "j": "usize", "l": "i32", "m": "u32", "n": "i128",
    "o": "u128", "s": "i16", "t": "u16", "u": "()", "v": "...", "x": "i64",
    "y": "u64", "z": "!", "p": "_",
}
_B62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


class _Parser:
    def __init__(self, text):
        self.s = text
        self.i = 0
        self.depth = 0

    def peek(self):
        return self.s[self.i] if self.i < len(self.s) else ""

    def take(self):
        c = self.peek()
        if not c:
            raise ValueError("truncated")
        self.i += 1
        return c

    def base62(self):
        if self.peek() == "_":
            self.i += 1
            return 0
        n = 0
        while self.peek() != "_":
            n = n * 62 + _B62.index(self.take())
        self.i += 1
        return n + 1

    def opt_disambiguator(self):
        if self.peek() == "s":
            self.i += 1
            self.base62()

    def ident(self):
        self.opt_disambiguator()
        if self.peek() == "u":
            self.i += 1
        start = self.i
        while self.peek().isdigit():
            self.i += 1
        n = int(self.s[start:self.i])
        if self.peek() == "_":
            self.i += 1
        name = self.s[self.i:self.i + n]
        self.i += n
        return name

    def backref(self, parse):
        target = self.base62()
        saved = self.i
        self.depth += 1
        if self.depth > 64:
            raise ValueError("backref loop")
        self.i = target
        out = parse()
        self.i = saved
        self.depth -= 1
        return out

    def path(self):
        c = self.take()
        if c == "C":
            return self.ident()
        if c == "M":
            self.opt_disambiguator()
            self.path()
            return f"<{self.type()}>"
        if c == "X":
            self.opt_disambiguator()
            self.path()
            ty = self.type()
            return f"<{ty} as {self.path()}>"
        if c == "Y":
            ty = self.type()
            return f"<{ty} as {self.path()}>"
        if c == "N":
            ns = self.take()
            parent = self.path()
            name = self.ident()
            if ns == "C":
                return f"{parent}::{{closure}}"
            if ns.isupper():
                return f"{parent}::{{{ns}:{name}}}"
            return f"{parent}::{name}"
        if c == "I":
            base = self.path()
            args = []
            while self.peek() != "E":
                args.append(self.generic_arg())
            self.i += 1
            args = [a for a in args if a]
            return f"{base}<{', '.join(args)}>" if args else base
        if c == "B":
            return self.backref(self.path)
        raise ValueError(f"path tag {c}")

    def generic_arg(self):
        if self.peek() == "L":
            self.i += 1
            self.base62()
            return ""
        if self.peek() == "K":
            self.i += 1
            return self.const()
        return self.type()

    def const(self):
        if self.peek() == "p":
            self.i += 1
            return "_"
        if self.peek() == "B":
            self.i += 1
            return self.backref(self.const)
        ty = self.take()
        neg = self.peek() == "n"
        if neg:
            self.i += 1
        start = self.i
        while self.peek() != "_":
            self.i += 1
        digits = self.s[start:self.i]
        self.i += 1
        if ty == "b":
            return "true" if digits == "1" else "false"
        value = int(digits, 16) if digits else 0
        return str(-value if neg else value)

    def type(self):
        c = self.peek()
        if c in _BASIC:
            self.i += 1
            return _BASIC[c]
        if c in "RQ":
            self.i += 1
            if self.peek() == "L":
                self.i += 1
                self.base62()
            return ("&" if c == "R" else "&mut ") + self.type()
        if c in "PO":
            self.i += 1
            return ("*const " if c == "P" else "*mut ") + self.type()
        if c == "A":
            self.i += 1
            ty = self.type()
            return f"[{ty}; {self.const()}]"
        if c == "S":
            self.i += 1
            return f"[{self.type()}]"
        if c == "T":
            self.i += 1
            items = []
            while self.peek() != "E":
                items.append(self.type())
            self.i += 1
            return f"({', '.join(items)})"
        if c == "F":
            self.i += 1
            return self.fn_sig()
        if c == "D":
            self.i += 1
            return self.dyn_bounds()
        if c == "B":
            self.i += 1
            return self.backref(self.type)
        return self.path()

    def fn_sig(self):
        if self.peek() == "G":
            self.i += 1
            self.base62()
        if self.peek() == "U":
            self.i += 1
        if self.peek() == "K":
            self.i += 1
            if self.peek() == "C":
                self.i += 1
            else:
                self.ident()
        args = []
        while self.peek() != "E":
            args.append(self.type())
        self.i += 1
        ret = self.type()
        return f"fn({', '.join(args)}) -> {ret}"

    def dyn_bounds(self):
        if self.peek() == "G":
            self.i += 1
            self.base62()
        traits = []
        while self.peek() != "E":
            name = self.path()
            while self.peek() == "p":
                self.i += 1
                self.ident()
                self.type()
            traits.append(name)
        self.i += 1
        if self.peek() == "L":
            self.i += 1
            self.base62()
        return "dyn " + " + ".join(traits)


def demangle(symbol):
    """The readable path of a v0 symbol, or `symbol` itself."""
    if not symbol.startswith("_R"):
        return symbol
    body = symbol[2:]
    if body[:1].isdigit():
        while body[:1].isdigit():
            body = body[1:]
    try:
        return _Parser(body).path()
    except (ValueError, IndexError):
        return symbol
