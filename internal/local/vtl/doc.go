// Package vtl renders API Gateway REST mapping templates: the subset of
// Apache Velocity 1.7, with API Gateway's $input, $util, $context and
// $stageVariables, that request and gateway-response templates use
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html).
// It has no dependencies beyond the standard library.
//
// Parse refuses, with the template's name, line and column, anything
// outside the subset rather than render it wrongly later: #macro,
// #include, #parse, #evaluate, #define, #stop, a macro call #name(…), an
// unknown $input.x or $util.x, a method outside the list below, list, range
// and map literals, #set on anything but a plain $variable, an unbalanced
// #end/#else/#elseif, #break outside #foreach, unterminated strings and
// comments, and a literal JSONPath outside the supported part.
//
// The subset:
//   - References $x, $!x, ${x}, $!{x}, with .property, .method(args) and
//     [index] steps. A $ that starts no reference is text.
//   - $input.body, $input.json(path), $input.path(path), $input.params(),
//     $input.params(name) (path, then query string, then header, the header
//     name case-insensitive; "" when absent). JSONPath: $, .name, .*,
//     ['name'], ["name"], [n], [*]; a path without the leading $ reads as
//     $.path, as Jayway JsonPath (and API Gateway) reads it. A path with a
//     wildcard yields the list of its matches. An empty body reads as {}; a body that is not JSON
//     makes $input.json/path a render error.
//   - $util.escapeJavaScript (Commons Lang 2: ' " \ / escaped, non-ASCII as
//     \uXXXX), urlEncode/urlDecode (java.net.URLEncoder/Decoder, UTF-8),
//     base64Encode/base64Decode (standard alphabet, padded; bad input is an
//     error), parseJson.
//   - $context.* and $stageVariables.* from Input; $foreach.count, .index,
//     .hasNext, .first, .last and $velocityCount inside #foreach.
//   - #set($v = expr), #if/#elseif/#else/#end, #foreach($v in expr) … #end,
//     #break, ## and #* *# comments, #[[ ]]# unparsed text, #{else}/#{end}.
//   - Expressions: "…" (references inside rendered; # and \ plain text),
//     '…' (literal), integers, decimals, true, false, ( ), ! not, && and,
//     || or, == eq, != ne, < lt, <= le, > gt, >= ge, + - * / %.
//   - Methods: on strings length, isEmpty, contains, startsWith, endsWith,
//     indexOf, substring, toLowerCase, toUpperCase, trim, equals, matches,
//     replace, replaceAll (RE2 syntax, $n groups); on maps size, isEmpty,
//     keySet, values, get, containsKey; on lists size, isEmpty, get,
//     contains; toString on anything.
//
// Velocity 1.7's semantics, kept: #if is false only for null and false (an
// empty string is true); == compares numbers by value and anything else by
// its printed form; < <= > >= on non-numbers are false; arithmetic on
// non-numbers or a division by zero is null; #set with a null value leaves
// the variable unchanged; #foreach walks a list, or a map's values, skips
// anything else, and restores its variable afterwards; a map prints as
// {k=v, …} and a list as [a, b]; a method on null is null; identifiers may
// contain - (so write ${a}-$b).
//
// Choices where Velocity or API Gateway leave room, written down here:
//   - A null or undefined reference renders as nothing, quiet or not, as API
//     Gateway's templates show for absent context and stage variables
//     (plain Velocity would print the reference's source).
//   - $input.json(path) of a path that selects nothing renders "" (two
//     quotes, as observed on API Gateway), so a JSON template stays valid
//     JSON; $input.path returns null. $input.json prints compact JSON, keys
//     in the body's order, numbers as written, / and non-ASCII unescaped.
//   - Doubles print as Java's Double.toString for the common cases (1.5,
//     4.0, Infinity, NaN), not in Java's exponent form for huge or tiny ones.
//   - JSON objects keep their keys in document order (keySet, #foreach,
//     $input.json); $context, $stageVariables and $input.params() maps
//     iterate in sorted key order.
//   - A property of a string, number or boolean (say $n.Id on a number) or
//     a method a value lacks is a render error, where Velocity would print
//     the reference's source: such a template is wrong on AWS too.
//
// Whitespace, as Velocity 1.7 gobbles it:
//   - A ## comment ends with, and removes, its line's newline.
//   - After #set(…), #if(…), #elseif(…), #foreach(…), #else, #end and
//     #break, spaces and tabs then one newline (\n or \r\n) are removed when
//     nothing else follows on the line; text after the directive on the same
//     line is kept as written. The braced forms #{else}, #{end} and #{break}
//     remove nothing.
//   - The spaces and tabs just before #set are removed; indentation before
//     the other directives is kept. So a directive-only line leaves its
//     indentation in the output: keep form-body templates unindented, or end
//     lines with ## (as the tests do).
//
// Bounds, so a hostile body cannot blow memory or time: one #foreach walks
// at most MaxForeachItems (1000) items and one Render runs at most
// MaxIterations (100000) iterations in all; the output and every string
// built on the way are capped at MaxOutput (10 MiB); bodies and parseJson
// arguments nest at most 256 levels; templates nest at most 64 levels.
// Past a bound Render fails with an *Error wrapping ErrTooManyIterations or
// ErrOutputTooLarge, never with partial output.
package vtl
