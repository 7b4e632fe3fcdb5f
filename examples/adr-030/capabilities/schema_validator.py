"""SchemaValidator: checks a request body against the fields and types its schema requires."""

ORDER = {"id": int, "customer": str, "items": list, "total": float}
ITEM = {"sku": str, "quantity": int, "price": float}


def validate(document, schema=ORDER, item_schema=ITEM):
    """The list of problems with `document`; empty where it is valid."""
    problems = []
    for field, kind in schema.items():
        if field not in document:
            problems.append(f"{field}: missing")
        elif not isinstance(document[field], kind):
            problems.append(f"{field}: expected {kind.__name__}")
    for index, item in enumerate(document.get("items", [])):
        for field, kind in item_schema.items():
            if not isinstance(item.get(field), kind):
                problems.append(f"items[{index}].{field}: expected {kind.__name__}")
    return problems
