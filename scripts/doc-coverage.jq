# Public symbols declared in this package's sources without a doc comment, from a symbol graph
# (`swift package dump-symbol-graph`): prints "MODULE DOCUMENTED TOTAL" and, with --arg list yes,
# each undocumented symbol as "FILE:LINE KIND NAME".
[.symbols[]
 | select(.accessLevel == "public" or .accessLevel == "open")
 | select((.location.uri // "") | test("/Sources/"))
 | select((.availability // []) | map(.isUnconditionallyDeprecated // false or (.deprecated != null)) | any | not)] as $public
| ($public | map(select(.docComment == null))) as $missing
| if $list == "yes" then
    $missing[] | "\(.location.uri | sub(".*/Sources/"; "Sources/")):\(.location.position.line + 1) \(.kind.displayName) \(.pathComponents | join("."))"
  else
    "\(.module.name) \(($public | length) - ($missing | length)) \($public | length)"
  end
