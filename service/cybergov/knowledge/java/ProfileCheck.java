// The OWL API's OWL 2 DL profile checker, run on one Turtle (or N-Triples) file.
//
// Usage: java -cp <OWL API jars> ProfileCheck.java FILE
// Prints "axioms N" and then one line per violation: "violation<TAB>KIND<TAB>TEXT".
// The file is read as it is: imports are not followed (the caller merges what it
// wants checked into one file), so nothing is fetched from the network.

import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.formats.TurtleDocumentFormat;
import org.semanticweb.owlapi.io.FileDocumentSource;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyLoaderConfiguration;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;
import org.semanticweb.owlapi.rdf.turtle.parser.TurtleOntologyParserFactory;

public final class ProfileCheck {
    private ProfileCheck() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: ProfileCheck FILE");
            System.exit(2);
        }
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        manager.getIRIMappers().clear();
        // Only the Turtle parser: the others (RDF4J's among them) need libraries we do not load.
        manager.getOntologyParsers().clear();
        manager.getOntologyParsers().add(new TurtleOntologyParserFactory());
        OWLOntologyLoaderConfiguration config = new OWLOntologyLoaderConfiguration()
            .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.SILENT)
            .setFollowRedirects(false);
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(
            new FileDocumentSource(new File(args[0]), new TurtleDocumentFormat()), config);
        OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
        StringBuilder out = new StringBuilder();
        out.append("axioms ").append(ontology.getAxiomCount()).append('\n');
        for (OWLProfileViolation violation : report.getViolations()) {
            String text = violation.toString().replace('\n', ' ').replace('\t', ' ');
            out.append("violation\t").append(violation.getClass().getSimpleName())
                .append('\t').append(text).append('\n');
        }
        System.out.print(out);
    }
}
