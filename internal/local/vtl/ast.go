package vtl

// The syntax tree. Positions are byte offsets into the template source;
// Template.where turns them into line:column only when an error is reported.

type node interface{}

// textNode is literal output.
type textNode struct{ s string }

// refNode renders a reference ($x, $!x, ${x}, $!{x}).
type refNode struct{ ref *refExpr }

// setNode is #set($name = val).
type setNode struct {
	pos  int
	name string
	val  expr
}

// ifNode is #if/#elseif…/#else/#end: conds[i] guards blocks[i].
type ifNode struct {
	conds  []expr
	blocks [][]node
	els    []node
}

// foreachNode is #foreach($name in src) body #end.
type foreachNode struct {
	pos  int
	name string
	src  expr
	body []node
}

// breakNode is #break: it leaves the innermost #foreach.
type breakNode struct{}

type expr interface{}

// refExpr is $root followed by properties, method calls and indexes.
type refExpr struct {
	pos   int
	root  string
	steps []step
}

type stepKind int

const (
	stepProp stepKind = iota
	stepCall
	stepIndex
)

type step struct {
	pos   int
	kind  stepKind
	name  string // property or method name
	args  []expr // method arguments
	index expr   // [index]
}

// litExpr is a number, a boolean or a '…' string.
type litExpr struct{ v any }

// interpExpr is a "…" string: text and references rendered into one string.
type interpExpr struct {
	pos   int
	parts []node
}

type binaryExpr struct {
	pos  int
	op   string
	l, r expr
}

type notExpr struct{ x expr }
