"""Prints the TestCase classes of an e2e test file that have tests, one per line.

CMake registers each as a ctest test of its own (e2e.FILE.CLASS), so that ctest -j can run
the classes of one long file side by side. Read with ast: nothing is imported or run."""
import ast
import sys


def test_classes(path):
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}

    def has_tests(node, seen=()):
        if any(isinstance(item, ast.FunctionDef) and item.name.startswith("test")
               for item in node.body):
            return True
        bases = [b.id for b in node.bases if isinstance(b, ast.Name)]
        return any(has_tests(classes[b], seen + (node.name,))
                   for b in bases if b in classes and b not in seen)

    def is_case(node):  # derives from unittest.TestCase, directly or through this file
        for base in node.bases:
            if isinstance(base, ast.Attribute) and base.attr == "TestCase":
                return True
            if isinstance(base, ast.Name) and base.id in classes and is_case(classes[base.id]):
                return True
        return False

    return [name for name, node in classes.items() if is_case(node) and has_tests(node)]


if __name__ == "__main__":
    print("\n".join(test_classes(sys.argv[1])))
