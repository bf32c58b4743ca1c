# One line per public declaration of a swift-api-digester dump (`-dump-sdk`):
# KIND PARENT.NAME : TYPES [conformances] [static] [throws] [deprecated] [generic signature]
def types: [.children[]? | select(.kind | startswith("Type")) | .printedName] | join(", ");
def flags:
  (if .genericSig then " " + .genericSig else "" end)
  + (if .static then " static" else "" end)
  + (if .throwing then " throws" else "" end)
  + (if .isOpen then " open" else "" end)
  + (if .deprecated then " deprecated" else "" end)
  + (if (.declAttributes // []) | index("Inlinable") then " inlinable" else "" end)
  + (if .conformances then " : " + ([.conformances[].printedName] | join(", ")) else "" end);
def declarations($parent):
  if .kind == "Import" or .isInternal then empty   # package and @usableFromInline declarations are not API
  elif .declKind then
    ($parent + .printedName) as $path
    | "\(.declKind) \($path) (\(types))\(flags)",
      (.children[]? | select(.declKind != null) | declarations($path + "."))
  else (.children[]? | declarations($parent)) end;
.ABIRoot | declarations("")
