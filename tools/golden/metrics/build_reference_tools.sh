#!/bin/sh
# Builds the official tools that make_metric_fixtures.py compares against, from git repositories
# (normal clones or bare mirrors) of:
#   stanfordnlp/CoreNLP    (tag v3.4.1: the PTBTokenizer pycocoevalcap runs)
#   cmu-mtlab/meteor       (METEOR 1.5 sources; the paraphrase tables are not needed)
#   tuetschek/e2e-metrics  (mteval-v13a-sig.pl, the BLEU/NIST script of the E2E challenge)
# Needs a JDK and git. Usage: build_reference_tools.sh CORENLP_GIT METEOR_GIT E2E_METRICS_GIT OUT_DIR
set -eu
corenlp=$1; meteor=$2; e2e=$3; out=$4
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"

# Copy the files under $3 at revision $2 of repository $1 into directory $4.
extract() {
  git -C "$1" ls-tree -r "$2" "$3" | while read -r _mode _type sha path; do
    mkdir -p "$4/$(dirname "$path")"
    git -C "$1" cat-file blob "$sha" > "$4/$path" 2>/dev/null || echo "skipped missing $path" >&2
  done
}

# CoreNLP 3.4.1 PTBTokenizer. Two edits that do not touch tokenisation: a stub for the generated
# Morpha lexer (lemmatisation, not needed) and a cast javac 17 needs in util/Comparators.java.
rm -rf "$out/corenlp" && mkdir -p "$out/corenlp"
extract "$corenlp" v3.4.1 src "$out/corenlp"
cat > "$out/corenlp/src/edu/stanford/nlp/process/Morpha.java" <<'JAVA'
package edu.stanford.nlp.process;
class Morpha {
  static final int any = 0, scan = 1;
  Morpha(java.io.InputStream in) {}
  Morpha(java.io.Reader in) {}
  void setOptions(int f) {}
  void setOption(int i, boolean b) {}
  boolean option(int i) { return false; }
  String next() throws java.io.IOException { throw new UnsupportedOperationException(); }
  void yyreset(java.io.Reader r) {}
  void yybegin(int s) {}
}
JAVA
sed -i 's|    return chain(Arrays.asList(c));|    return chain((java.util.List<Comparator<? super T>>) Arrays.asList(c));|' \
  "$out/corenlp/src/edu/stanford/nlp/util/Comparators.java"
mkdir -p "$out/corenlp/classes"
javac --release 8 -nowarn -encoding utf-8 -J-Xmx1500m -sourcepath "$out/corenlp/src" -d "$out/corenlp/classes" \
  "$out/corenlp/src/edu/stanford/nlp/process/PTBTokenizer.java"

# METEOR 1.5 with its function-word, non-breaking-prefix and WordNet resources.
rm -rf "$out/meteor" && mkdir -p "$out/meteor"
extract "$meteor" HEAD src "$out/meteor"
extract "$meteor" HEAD resources "$out/meteor"
mkdir -p "$out/meteor/classes"
javac --release 8 -nowarn -encoding utf-8 -sourcepath "$out/meteor/src" -d "$out/meteor/classes" \
  "$out/meteor/src/Meteor.java" "$here/MeteorReference.java"
cp -r "$out/meteor/resources/"* "$out/meteor/classes/"

# mteval-v13a-sig.pl (needs Perl with XML::Twig: Debian package libxml-twig-perl).
git -C "$e2e" show HEAD:mteval/mteval-v13a-sig.pl > "$out/mteval-v13a-sig.pl"
echo "built reference tools in $out"
